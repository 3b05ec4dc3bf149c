"""Spot checks (质检抽查, seed 002: 主管每个星期会随机抽取若干客户进行考察打分, 占75%).

For the agent of a review and a week of its month, `service.draw_week` draws a seeded, repeatable
sample of the customers or orders the agent received (`draw`, over `shopkpi.data.metrics.served_cases`);
the supervisor scores each drawn case on the template's checklist (`service.score_case`); `feed`
makes the month's average of the case scores the supervisor's rating of the item the template's
`spot_check.feeds` names, with every case in the item's explanation.
"""
