"""The hidden lake-region model (monthly steps, pure Python). Used by generate.py and score.py."""

import math

STOCKS = ["H", "N", "A", "Z", "F", "P", "V", "O", "S", "T", "R", "E"]
PARAMS = {
    "h_target": 20.0, "h_adj": 0.08,             # farm fertiliser use: first-order lag to a target
    "runoff": 0.02, "outflow": 0.06,             # nutrient load per unit fertiliser, flushing
    "release": 0.02, "o_crit": 4.0, "o_width": 0.35,  # sediment release under anoxia (logistic threshold)
    "mu": 0.9, "k_n": 0.4, "a_max": 30.0, "n_per_a": 0.3,        # algal growth: nutrient saturation, self-shading
    "graze": 0.8, "k_a": 5.0, "e_z": 0.5, "m_a": 0.12,
    "c_v": 0.001,                                # competition of vegetation with algae
    "g_f": 0.05, "k_z": 2.0, "e_f": 2.0, "m_z": 0.02, "m_f": 0.005, "kill": 0.25,
    "g_p": 0.02, "k_f": 5.0, "e_p": 5.0, "m_p": 0.003,
    "dd_z": 0.08, "dd_f": 0.003, "dd_p": 0.01,
    "r_v": 0.25, "k_v": 60.0, "a_50": 12.0, "m_v": 0.04,
    "k_o": 0.35, "p_o": 0.012, "d_o": 0.2,
    "settle": 0.05, "burial": 0.01,
    "t_adj": 0.12, "t_star": 50.0, "c_50": 10.0, "t_lag": 6, "p_50": 3.0,
    "r_adj": 0.2, "w_t": 0.6, "w_e": 4.0, "w_h": 1.0,
    "q": 0.005, "price": 1.0, "cost": 0.01, "e_rate": 0.02, "e_lag": 12, "e_entry": 0.02,
}
# An intervention: {"kind", "start", "end", "value"} acts on months start <= t < end.
KINDS = {
    "fertiliser_cap": "multiplies the farms' target fertiliser use",
    "wetland": "multiplies the nutrient runoff per unit of fertiliser",
    "fishing_quota": "multiplies the catch per unit of fishing effort",
    "fuel_subsidy": "multiplies the cost of a unit of fishing effort",
    "stocking": "adds predator fish each month",
    "aeration": "adds dissolved oxygen each month",
    "dredging": "removes this fraction of the sediment nutrient each month",
    "promotion": "multiplies the region's tourist attractiveness",
    "planting": "adds vegetation each month",
}


def season(t: int) -> float:
    return 1.0 + 0.5 * math.sin(2 * math.pi * (t - 3) / 12)


def step(p, x, t, hist, acts, weather=(1.0, 1.0)):
    """One month: state x at month t -> state at t + 1. hist: list of past states (for delays)."""
    H, N, A, Z, F, P, V, O, S, T, R, E = x
    m = {"fertiliser_cap": 1.0, "wetland": 1.0, "fishing_quota": 1.0, "fuel_subsidy": 1.0, "promotion": 1.0}
    add = {"stocking": 0.0, "aeration": 0.0, "dredging": 0.0, "planting": 0.0}
    for a in acts:
        if a["start"] <= t < a["end"]:
            if a["kind"] in m:
                m[a["kind"]] *= a["value"]
            else:
                add[a["kind"]] += a["value"]
    s = season(t)
    rain, light = weather
    anox = 1.0 / (1.0 + math.exp(max(-60.0, min(60.0, (O - p["o_crit"]) / p["o_width"]))))
    load = p["runoff"] * m["wetland"] * H * rain
    rel = p["release"] * S * anox
    pot = p["n_per_a"] * p["mu"] * s * light * N / (p["k_n"] + N) * A / (1.0 + A / p["a_max"])
    upt = pot * N / (N + pot)  # nutrient uptake: saturating, never more than the nutrient present
    grow = upt / p["n_per_a"]
    grz = p["graze"] * Z * A / (p["k_a"] + A)
    fz = p["g_f"] * F * Z / (p["k_z"] + Z)
    pf = p["g_p"] * P * F / (p["k_f"] + F)
    q = p["q"] * m["fishing_quota"]
    vgrow = p["r_v"] * s * V * (1.0 - V / p["k_v"]) / (1.0 + (A / p["a_50"]) ** 4)
    osat = 11.0 - 3.0 * (s - 1.0)
    a_lag = hist[-p["t_lag"]][2] if len(hist) >= p["t_lag"] else A
    x_lag = hist[-p["e_lag"]] if len(hist) >= p["e_lag"] else x
    profit = p["price"] * q * x_lag[4] - p["cost"] * m["fuel_subsidy"]
    nH = H + p["h_adj"] * (p["h_target"] * m["fertiliser_cap"] - H)
    nN = N + load + rel - upt - p["outflow"] * N
    nA = A + grow - grz - p["m_a"] * A - p["c_v"] * V * A
    nZ = Z + p["e_z"] * grz - fz - p["m_z"] * Z - p["dd_z"] * Z * Z
    nF = F + p["e_f"] * fz - pf - q * E * F - p["m_f"] * F - p["dd_f"] * F * F - p["kill"] * anox * F
    nP = P + p["e_p"] * pf - p["m_p"] * P - p["dd_p"] * P * P - 0.5 * p["kill"] * anox * P + add["stocking"]
    nV = V + vgrow - p["m_v"] * V + add["planting"]
    nO = O + p["k_o"] * (osat - O) + p["p_o"] * s * V - p["d_o"] * s * A * (1 + S / 50.0) + add["aeration"]
    nS = S + p["settle"] * A * 0.1 * 10 - rel - p["burial"] * S - add["dredging"] * S
    clar = 1.0 / (1.0 + a_lag / p["c_50"])
    nT = T + p["t_adj"] * (p["t_star"] * m["promotion"] * clar * (0.5 + P / (P + p["p_50"])) - T)
    income = p["w_t"] * T + p["w_e"] * p["price"] * q * E * F + p["w_h"] * H
    nR = R + p["r_adj"] * (income - R)
    nE = E * (1.0 + p["e_rate"] * math.tanh(profit / p["cost"])) + p["e_entry"]
    return [max(v, 1e-6) for v in (nH, nN, nA, nZ, nF, nP, nV, nO, nS, nT, nR, nE)]


def simulate(p, x0, t0, months, acts, hist=None, weather=None):
    """States at months t0 + 1 .. t0 + months, starting from x0 at t0 (hist: states before, oldest first)."""
    hist = list(hist or []) + [list(x0)]
    x = list(x0)
    out = []
    for k in range(months):
        t = t0 + k
        w = weather[k] if weather else (1.0, 1.0)
        x = step(p, x, t, hist, acts, w)
        hist.append(x)
        out.append(x)
    return out
