-- Temporal's own databases live beside the application's in the compose stack.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
