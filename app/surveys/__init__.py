"""Residents' satisfaction surveys per circle and period (the 业态满意 / 服务满意 items of the 好不好 table)."""
