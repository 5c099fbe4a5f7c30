"""Cities, circles (生活圈) and communities (社区): boundaries, locate-by-point, import."""
