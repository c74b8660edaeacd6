"""People who entered races: name search and race history."""
