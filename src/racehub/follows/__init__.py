"""Follows in plain English: runners, races, results going final, workflows; matched to live changes."""
