"""Peer evaluation (互评): an item written `rated_by: peers` is rated by colleagues the evaluator or HR
names on each review (`service.name_raters`); each named colleague finds the task in 待我处理 and rates
on a page that shows only the colleague's name, the month and the item (`service.rate`); the item's
rating is the average of the ratings given (`feed`). Ratings close when the supervisor submits their
rating: the average is then of those given, and the explanation says how many of the named rated. With
none given, the supervisor rates the item, as any rated item.
"""
