"""Community promotion events (促消费活动): 邻里节, 美食节, 团购节, 家政便民 … per circle and year."""
