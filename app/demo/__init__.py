"""Demo data: the Miyun (密云区) and Zhongwei (中卫市) plans' real circles and communities, with synthetic
geometry, age structure and outlets, loaded by `flask demo load`. Every row it writes is synthetic=True."""
