"""Residents' rights over their data (个人信息保护法): privacy notice consent, phone with consent, data export,
account deletion (注销), and the retention job."""
