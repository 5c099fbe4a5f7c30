"""Circle evaluation: 有没有 + 好不好 → grade, gap list, blind spots, KPIs, ledgers (issue 5)."""
