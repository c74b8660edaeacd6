"""Race results, splits, awards and scoring over HTTP."""
