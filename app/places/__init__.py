"""The page of one place as a resident sees it: the outlet, its repair items with prices, a stall's schedule
and where it is now, and recent ratings. Composed here, above outlets, repair and ratings, so none of
those depends on another to show it."""
