"""What a Chinese county-town street actually holds: how common each business type is, the brands and
shop names one sees, and which types share a counter (一店多能). Weights are relative frequencies."""

# fmt: off
# (data tables, kept compact by hand)

# type: weight. Many convenience stores, restaurants and barbers; few cinemas and theatres.
TYPE_WEIGHTS = {
    "convenience_store": 13, "mass_restaurant": 13, "barber": 7, "specialty_restaurant": 6, "breakfast": 5,
    "fresh_grocery": 5, "pharmacy": 4, "apparel": 4, "community_supermarket": 3, "fast_food_chain": 3,
    "tea_coffee": 3, "parcel_point": 3, "beauty": 2.5, "repair": 2.5, "bakery": 2, "dessert": 2, "hardware_store": 2,
    "wellness": 2, "training": 2, "laundry": 1.5, "private_clinic": 1.5, "electronics": 1.5, "housekeeping": 1.2,
    "photo_print": 1.2, "stationery": 1.2, "bank": 1.2, "chess_room": 1.2, "fitness": 1, "florist": 1,
    "optician": 1, "cosmetics": 1, "baby_kids": 1, "vending_machine": 1, "water_dispenser": 1, "childcare": 0.8,
    "pet_service": 0.8, "hotel": 0.8, "car_wash": 0.8, "auto_repair": 0.8, "property_service": 0.8,
    "elderly_care": 0.6, "community_canteen": 0.6, "sporting_goods": 0.6, "finance_insurance": 0.6,
    "leisure": 0.6, "recycling": 0.6, "local_specialty": 0.6, "wet_market": 0.5, "smart_store": 0.4,
    "kids_play": 0.4, "bookstore": 0.4, "travel_service": 0.3, "outdoor_gear": 0.3, "fishing_gear": 0.3,
    "commercial_complex": 0.15, "performance_venue": 0.1, "cinema": 0.08,
}
CITY_ONLY = {"outdoor_gear": "miyun", "fishing_gear": "miyun"}  # Miyun's feature types (seed 000)

# 一店多能: a second type some outlets of a type also provide.
COMBOS = {
    "convenience_store": ["breakfast", "parcel_point"], "community_supermarket": ["fresh_grocery"],
    "mass_restaurant": ["breakfast"], "barber": ["beauty"], "pharmacy": ["wellness"], "photo_print": ["stationery"],
    "hardware_store": ["repair"], "laundry": ["repair"], "bakery": ["dessert"], "tea_coffee": ["dessert"],
    "elderly_care": ["community_canteen"], "fresh_grocery": ["local_specialty"],
}

# Brands: (name, quality_brand kind or None, city or None for both). Real brand names are only labels
# on synthetic points; no real shop is implied to be at these places.
BRANDS = {
    "convenience_store": [("好邻居", None, "miyun"), ("便利蜂", "new_consumer", "miyun"), ("物美便利", None, "miyun"),
                          ("快客便利", None, "miyun"), ("7-Eleven", "international", "miyun"),
                          ("罗森", "international", "miyun"), ("爱家便利", None, "zhongwei"),
                          ("惠之家", None, "zhongwei"), ("新百连超便利", None, "zhongwei"), ("美宜佳", None, None)],
    "community_supermarket": [("物美超市", None, "miyun"), ("超市发", None, "miyun"), ("京客隆", None, "miyun"),
                              ("新百连超", None, "zhongwei"), ("爱家超市", None, "zhongwei"), ("华润万家", None, None)],
    "fresh_grocery": [("钱大妈", "new_consumer", None), ("百果园", "new_consumer", None),
                      ("首农菜篮子", None, "miyun")],
    "breakfast": [("庆丰包子铺", "time_honored", "miyun"), ("护国寺小吃", "time_honored", "miyun"),
                  ("嘉和一品", None, "miyun")],
    "pharmacy": [("同仁堂", "time_honored", None), ("金象大药房", None, "miyun"), ("嘉事堂", None, "miyun"),
                 ("老百姓大药房", None, None), ("国大药房", None, "zhongwei")],
    "barber": [("永琪美发", None, None), ("QB House", "international", "miyun")],
    "laundry": [("福奈特洗衣", "international", None), ("象王洗衣", None, None)],
    "housekeeping": [("三八家政", "time_honored", "miyun"), ("58到家", "new_consumer", None),
                     ("惠之家家政", None, "zhongwei")],
    "parcel_point": [("菜鸟驿站", None, None), ("中国邮政", None, None), ("丰巢快递柜", None, None),
                     ("顺丰速运", None, None), ("京东快递", None, None)],
    "bank": [("中国工商银行", None, None), ("中国农业银行", None, None), ("中国建设银行", None, None),
             ("中国邮政储蓄银行", None, None), ("北京农商银行", None, "miyun"), ("宁夏银行", None, "zhongwei"),
             ("黄河农村商业银行", None, "zhongwei")],
    "fast_food_chain": [("肯德基", "international", None), ("麦当劳", "international", None), ("华莱士", None, None),
                        ("老乡鸡", "new_consumer", None), ("和合谷", None, "miyun"), ("塔斯汀", "new_consumer", None)],
    "specialty_restaurant": [("便宜坊", "time_honored", "miyun"), ("海底捞", "internet_famous", None),
                             ("西贝莜面村", None, None)],
    "tea_coffee": [("瑞幸咖啡", "new_consumer", None), ("蜜雪冰城", "new_consumer", None),
                   ("星巴克", "international", None), ("库迪咖啡", "new_consumer", None),
                   ("霸王茶姬", "internet_famous", None), ("吴裕泰", "time_honored", "miyun"),
                   ("张一元", "time_honored", "miyun")],
    "bakery": [("稻香村", "time_honored", "miyun"), ("好利来", "internet_famous", None), ("味多美", None, "miyun")],
    "dessert": [("DQ", "international", None)],
    "cosmetics": [("屈臣氏", "international", None), ("名创优品", "new_consumer", None)],
    "apparel": [("优衣库", "international", None), ("海澜之家", None, None), ("李宁", None, None),
                ("内联升", "time_honored", "miyun")],
    "sporting_goods": [("安踏", None, None), ("迪卡侬", "international", None)],
    "electronics": [("小米之家", None, None), ("华为授权体验店", None, None)],
    "baby_kids": [("孩子王", None, None), ("爱婴室", None, None)],
    "optician": [("宝岛眼镜", None, None), ("大明眼镜", "time_honored", "miyun"), ("精益眼镜", "time_honored", None)],
    "florist": [("花点时间", "new_consumer", None)],
    "fitness": [("乐刻运动", "new_consumer", None), ("超级猩猩", "internet_famous", "miyun")],
    "cinema": [("万达影城", None, "zhongwei"), ("首都电影院", None, "miyun")],
    "bookstore": [("新华书店", None, None), ("西西弗书店", "new_consumer", "miyun")],
    "hotel": [("如家酒店", None, None), ("汉庭酒店", None, None), ("7天酒店", None, None), ("锦江之星", None, None)],
    "finance_insurance": [("中国人寿", None, None), ("中国平安", None, None), ("中国人保", None, None)],
    "auto_repair": [("途虎养车", "new_consumer", None), ("天猫养车", None, None)],
    "pet_service": [("瑞鹏宠物医院", None, None)],
}
# Share of a type's outlets that belong to a chain (types without brands: none).
CHAIN_SHARE = {"bank": 1.0, "fast_food_chain": 0.85, "parcel_point": 0.7, "hotel": 0.5, "community_supermarket": 0.55,
               "convenience_store": 0.5, "pharmacy": 0.55, "tea_coffee": 0.55, "finance_insurance": 0.8}
DEFAULT_CHAIN_SHARE = 0.4

# Independent shop names: {s} surname, {l} a lucky shop word, {p} the community or street.
NAMES = {
    "convenience_store": "{l}便利店|{p}便民店|{s}记便利店|{s}姐小卖部",
    "community_supermarket": "{l}超市|{p}综合超市|{l}生活超市",
    "wet_market": "{p}便民菜市场|{l}农贸市场|{p}早市",
    "fresh_grocery": "{s}记蔬菜店|{l}生鲜|{p}鲜菜店|{s}大姐菜店|{l}果蔬",
    "breakfast": "{s}记包子铺|{l}早点|{s}家豆腐脑|{p}早餐车|{s}记油条豆浆",
    "pharmacy": "{l}大药房|{p}平价药店|{l}药店",
    "barber": "快乐理发|{s}师傅理发店|{l}美发|时尚剪艺|{p}理发店|{s}记发艺",
    "laundry": "{l}洗衣店|{p}干洗店|{s}姐洗染店",
    "housekeeping": "{l}家政|{p}家政服务站|{s}阿姨家政",
    "repair": "{s}师傅修鞋配钥匙|{p}便民维修点|{s}记家电维修|{l}手机维修|{s}师傅修车铺|{s}姐缝纫改衣",
    "parcel_point": "{p}快递代收点|{l}快递超市",
    "photo_print": "{l}图文快印|{p}照相馆|{s}记打印复印",
    "water_dispenser": "{p}自助取水站|{l}净水站",
    "bank": "{p}自助银行",
    "property_service": "{p}物业服务中心|{l}物业{p}服务站",
    "mass_restaurant": "{s}家菜馆|{l}饭庄|{p}家常菜|{s}记面馆|{l}饺子馆|老{s}家炒菜|{s}记麻辣烫",
    "commercial_complex": "{p}便民商业中心|{l}生活广场|{p}邻里中心",
    "hardware_store": "{l}五金|{s}记五金杂货|{p}五金建材",
    "recycling": "{p}再生资源回收站|{l}废品回收|{s}师傅回收点",
    "florist": "{l}花店|花语{p}店|{s}家鲜花",
    "optician": "{l}眼镜|{p}眼镜店|明视眼镜",
    "stationery": "{l}文具|{p}文具店|学海文具",
    "sporting_goods": "{l}体育用品|动感体育",
    "electronics": "{l}数码|{p}手机店|{s}记通讯",
    "cosmetics": "{l}化妆品|美丽屋饰品",
    "baby_kids": "{l}母婴店|贝贝乐母婴|{p}童装店",
    "apparel": "{l}服饰|{s}记鞋店|{p}服装店|潮流衣橱",
    "vending_machine": "{p}自助售货机|{l}自动售货机",
    "smart_store": "{p}无人便利店|{l}智慧超市",
    "bakery": "{l}蛋糕房|{s}记烘焙|麦香园面包房",
    "specialty_restaurant": "{l}火锅|{s}记烤肉|{p}私房菜|{s}家烧烤",
    "fast_food_chain": "{l}快餐|{s}记盖浇饭",
    "dessert": "{l}冷饮|{p}甜品屋|{s}记糖水",
    "community_canteen": "{p}社区食堂|{p}老年餐桌|{l}幸福食堂",
    "elderly_care": "{p}养老服务驿站|{p}日间照料中心|{l}颐养之家|{p}为老服务中心",
    "private_clinic": "{s}氏诊所|{p}社区诊所|{l}中医门诊部|{l}口腔诊所",
    "wellness": "{l}足疗养生|{s}氏推拿|{p}保健理疗馆|{l}艾灸馆",
    "fitness": "{l}健身|{p}健身房|动力健身工作室",
    "cinema": "{l}影城|{p}电影院",
    "bookstore": "{l}书店|{p}书吧|博文书屋",
    "performance_venue": "{p}文化剧场|{l}小剧场",
    "chess_room": "{l}棋牌室|{s}姐棋牌|{p}棋牌活动室",
    "tea_coffee": "{l}茶馆|{p}咖啡|{s}记茶饮|慢时光咖啡",
    "kids_play": "{l}儿童乐园|{p}亲子乐园|淘气堡",
    "leisure": "{l}KTV|{p}台球室|{l}网咖",
    "childcare": "{p}托育点|{l}托育中心|小天使托育园",
    "beauty": "{l}美容院|{s}姐美甲|{p}美容美体",
    "pet_service": "{l}宠物店|{p}宠物医院|萌宠之家",
    "training": "{l}书法培训|{p}舞蹈培训|{l}美术教室|{s}老师钢琴|{l}艺术培训中心",
    "travel_service": "{l}旅行社|{p}旅游服务点",
    "hotel": "{l}宾馆|{p}快捷酒店|{l}商务酒店",
    "finance_insurance": "{l}保险代理|{p}金融服务站",
    "car_wash": "{l}洗车|{s}记汽车美容",
    "auto_repair": "{l}汽修|{s}师傅汽车维修|{p}汽车快修",
    "local_specialty": "{l}特产店|{p}农产品直营店",
    "outdoor_gear": "{l}户外|云蒙山户外装备|骑行驿站",
    "fishing_gear": "{l}渔具|{s}记渔具店|钓鱼人渔具",
}
# Local flavour: names one only sees in that town.
CITY_NAMES = {
    "miyun": {"breakfast": "老北京早餐铺|{s}记炒肝包子", "specialty_restaurant": "密云水库鱼馆|老{s}家羊蝎子|{l}烤鸭",
              "local_specialty": "密云{l}特产店|{s}家蜂蜜|密云板栗专卖"},
    "zhongwei": {"breakfast": "{s}家羊杂碎|{s}记蒿子面|{l}清真早点",
                 "mass_restaurant": "{l}清真餐厅|{s}记烩小吃|{s}家牛肉面",
                 "specialty_restaurant": "{l}手抓羊肉|{s}家黄河鲶鱼|中卫蒿子面馆",
                 "local_specialty": "中宁枸杞专卖|中卫硒砂瓜直销店|宁夏滩羊肉专卖"},
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
LUCKY = ["鑫源", "福满多", "佳佳乐", "惠民", "兴旺", "百家", "金福", "祥和", "顺心", "安康", "和美", "好运来", "万家",
         "聚福", "康乐", "诚信"]
