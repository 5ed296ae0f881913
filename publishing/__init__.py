"""Publishing: copying verified records into the public read model."""
