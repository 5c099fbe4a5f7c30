"""Residents' needs (需求清单): submit, "me too", triage, timeline, projects (项目清单), "is it solved?" (满意清单)."""
