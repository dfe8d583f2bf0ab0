"""Service settings. SETTINGS is filled in at start-up from the deployment's secret store."""

SETTINGS = {
    "brand": "Harbourline",
    "support_email": "support@harbourline.example",
    "secret_key": "",
    "region": "eu-west",
}
