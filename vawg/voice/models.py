"""Anonymous feedback, surveys, engagement sessions and 'you said, we did'."""
