"""One module per op family; each has forward and backward side by side."""
