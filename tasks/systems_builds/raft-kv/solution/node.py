"""Reference node for raft-kv: Raft leader election and log replication with persistence, a
conflict-term hint for fast back-off, a no-op entry at the start of each term, and a key-value
state machine that ignores duplicate client operations."""

import random

HEARTBEAT = 5
BATCH = 64


class Node:
    def __init__(self, node_id, peers, persisted, seed, io):
        self.id = node_id
        self.peers = [p for p in peers if p != node_id]
        self.majority = len(peers) // 2 + 1
        self.io = io
        self.rng = random.Random(seed)
        self.term = persisted.get("term", 0)
        self.voted = persisted.get("voted")
        self.log = [persisted[f"e{i}"] for i in range(1, persisted.get("len", 0) + 1)]  # [term, entry]
        self.saved_len = len(self.log)
        self.role = "follower"
        self.commit = 0
        self.applied = 0
        self.kv = {}
        self.last = {}  # client -> [seq, result]
        self.pending = set()
        self.votes = set()
        self.next = {}
        self.match = {}
        self.dirty = False
        self.saved_term = (self.term, self.voted)
        self.timer = 0
        self.reset_timer()

    # --- helpers
    def reset_timer(self):
        self.timer = self.rng.randint(20, 45)

    def save(self):
        """Writes what changed: entries from the first unsaved index (dirty marks the lowest
        changed index), the log length, the term and the vote."""
        if self.dirty is not False:
            for i in range(self.dirty, len(self.log) + 1):
                self.io.store(f"e{i}", self.log[i - 1])
            if len(self.log) != self.saved_len:
                self.io.store("len", len(self.log))
                self.saved_len = len(self.log)
            self.dirty = False
        if (self.term, self.voted) != self.saved_term:
            self.io.store("term", self.term)
            self.io.store("voted", self.voted)
            self.saved_term = (self.term, self.voted)

    def mark(self, index):
        self.dirty = index if self.dirty is False else min(self.dirty, index)

    def last_term(self):
        return self.log[-1][0] if self.log else 0

    def step_down(self, term):
        if term > self.term:
            self.term = term
            self.voted = None
        self.role = "follower"

    def send_append(self, p):
        prev = self.next[p] - 1
        self.io.send(p, {"t": "ae", "term": self.term, "prev": prev,
                         "pterm": self.log[prev - 1][0] if prev > 0 else 0,
                         "entries": self.log[prev:prev + BATCH], "commit": self.commit})

    def broadcast(self):
        for p in self.peers:
            self.send_append(p)
        self.timer = HEARTBEAT

    def apply_committed(self):
        while self.applied < self.commit:
            self.applied += 1
            entry = self.log[self.applied - 1][1]
            self.io.apply(self.applied, entry)
            if not isinstance(entry, dict):
                continue
            client, seq = str(entry["client"]), entry["seq"]
            done = self.last.get(client)
            if done is None or done[0] < seq:
                old = self.kv.get(entry["key"], "")
                if entry["kind"] == "put":
                    self.kv[entry["key"]] = entry["value"]
                    result = old
                elif entry["kind"] == "append":
                    result = self.kv[entry["key"]] = old + entry["value"]
                else:
                    result = old
                self.last[client] = [seq, result]
            if entry["id"] in self.pending:
                self.pending.discard(entry["id"])
                if self.last[client][0] == seq:
                    self.io.reply(entry["id"], self.last[client][1])

    def advance_commit(self):
        for n in range(len(self.log), self.commit, -1):
            if self.log[n - 1][0] != self.term:
                break
            if 1 + sum(1 for p in self.peers if self.match[p] >= n) >= self.majority:
                self.commit = n
                self.apply_committed()
                break

    # --- events
    def on_tick(self):
        self.timer -= 1
        if self.timer > 0:
            return
        if self.role == "leader":
            self.broadcast()
            return
        self.term += 1
        self.voted = self.id
        self.role = "candidate"
        self.votes = {self.id}
        self.reset_timer()
        self.save()
        for p in self.peers:
            self.io.send(p, {"t": "rv", "term": self.term, "lli": len(self.log), "llt": self.last_term()})

    def on_request(self, op):
        done = self.last.get(str(op["client"]))
        if done is not None and done[0] >= op["seq"]:
            if done[0] == op["seq"]:
                self.io.reply(op["id"], done[1])
            return
        if self.role != "leader":
            return
        self.pending.add(op["id"])
        if any(isinstance(e, dict) and e["id"] == op["id"] for _, e in self.log[self.commit:]):
            return
        self.log.append([self.term, op])
        self.mark(len(self.log))
        self.save()
        self.broadcast()

    def on_message(self, src, m):
        if m["term"] > self.term:
            self.step_down(m["term"])
        kind = m["t"]
        if kind == "rv":
            up_to_date = (m["llt"], m["lli"]) >= (self.last_term(), len(self.log))
            granted = m["term"] == self.term and self.voted in (None, src) and up_to_date
            if granted:
                self.voted = src
                self.reset_timer()
            self.save()
            self.io.send(src, {"t": "rvr", "term": self.term, "granted": granted})
        elif kind == "rvr":
            if self.role == "candidate" and m["term"] == self.term and m["granted"]:
                self.votes.add(src)
                if len(self.votes) >= self.majority:
                    self.become_leader()
            self.save()
        elif kind == "ae":
            self.on_append(src, m)
        elif kind == "aer":
            self.save()
            if self.role != "leader" or m["term"] != self.term:
                return
            if m["ok"]:
                if m["match"] > self.match[src]:
                    self.match[src] = m["match"]
                    self.advance_commit()
                self.next[src] = max(self.next[src], self.match[src] + 1)
                if self.next[src] <= len(self.log):
                    self.send_append(src)
            else:
                self.next[src] = max(self.match[src] + 1, min(m["hint"], self.next[src] - 1))
                self.send_append(src)

    def become_leader(self):
        self.role = "leader"
        self.next = {p: len(self.log) + 1 for p in self.peers}
        self.match = {p: 0 for p in self.peers}
        self.log.append([self.term, None])
        self.mark(len(self.log))
        self.save()
        self.broadcast()

    def on_append(self, src, m):
        if m["term"] < self.term:
            self.save()
            self.io.send(src, {"t": "aer", "term": self.term, "ok": False, "hint": 1, "match": 0})
            return
        self.role = "follower"
        self.reset_timer()
        prev = m["prev"]
        if prev > len(self.log):
            self.save()
            self.io.send(src, {"t": "aer", "term": self.term, "ok": False, "hint": len(self.log) + 1, "match": 0})
            return
        if prev > 0 and self.log[prev - 1][0] != m["pterm"]:
            bad = self.log[prev - 1][0]
            first = prev
            while first > 1 and self.log[first - 2][0] == bad:
                first -= 1
            self.save()
            self.io.send(src, {"t": "aer", "term": self.term, "ok": False, "hint": max(1, first), "match": 0})
            return
        for i, entry in enumerate(m["entries"]):
            index = prev + 1 + i
            if index <= len(self.log):
                if self.log[index - 1][0] == entry[0]:
                    continue
                del self.log[index - 1:]
            self.log.append(entry)
            self.mark(index)
        match = prev + len(m["entries"])
        self.save()
        if m["commit"] > self.commit:
            self.commit = max(self.commit, min(m["commit"], match))
            self.apply_committed()
        self.io.send(src, {"t": "aer", "term": self.term, "ok": True, "match": match, "hint": 0})
