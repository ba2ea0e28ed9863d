"""Video analytics: frames from a camera's detect stream, gated by motion, through the detectors its
profile turns on, into events. Pure OpenCV and NumPy (no database): `cameras.video.worker` connects it
to the cameras and their events."""
