"""Running totals of finished steps for the reports (issue 12, point 7): the mutu baku report over
a million cases answers from these, not from the steps themselves."""
