"""Local stand-ins for WeChat: a fake WeChat server API now, the mini-program JS project later."""
