"""Pieces of the fake WeChat server API; ``miniprogram_stub.wechat_server`` assembles them into one Flask app."""
