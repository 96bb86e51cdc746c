"""Partner data imports and the VAWG dashboard."""
