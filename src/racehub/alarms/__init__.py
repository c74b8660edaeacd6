"""Race-day alarms for staff: a silent timing mat, an impossible pace, a chip read twice, a failing sync."""
