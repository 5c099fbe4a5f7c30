"""Who used the platform where: the small log behind 好不好 item 9 (居民使用率)."""
