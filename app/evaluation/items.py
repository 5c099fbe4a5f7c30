"""The shape every 好不好 item shares (service_quality.py, service_experience.py): points as the tables print
them, shares as percentages, and one item's dict with its rule, evidence and source."""

NO_DATA = "no_data"


def num(value: float):
    """Points as the tables print them: 8, 9.4 (deductions of 0.6 / 0.4 leave one decimal)."""
    value = round(float(value), 1)
    return int(value) if value.is_integer() else value


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def item(cfg: dict, points: float, rule: str, evidence: dict, source: str = "computed") -> dict:
    return {
        "no": cfg["no"],
        "group": cfg["group"],
        "name": cfg["name"],
        "points": num(max(0.0, min(points, cfg["max"]))),
        "max": cfg["max"],
        "rule": rule,
        "evidence": evidence,
        "source": source,
    }
