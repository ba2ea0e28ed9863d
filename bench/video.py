"""Video analytics throughput: camera-frames per second on one core at 640x360, for raw decoding of a
busy rendered clip, decoding plus the motion gate, and decoding plus the whole pipeline (motion, crowd
counting, left objects, stopped vehicles), all in the same run; per-frame latency percentiles; peak memory
per camera; and from those, how many cameras at 5 frames/s one core carries.

    .venv/bin/python bench/video.py [--seconds 60] [--cameras 8]

Each measurement runs in a process of its own, with OpenCV held to one thread, so that "per core" means
one core. The aim (the cameras issue): at least 100 camera-frames/s per core for the whole pipeline."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT, FPS = 640, 360, 5


def render(path: Path, seconds: float) -> None:
    """A busy street: people walking and gathering, a car driving in and stopping, a bag left behind."""
    import cv2
    import numpy as np

    from cameras.video import scenes

    rng = np.random.default_rng(5)
    base = scenes.background(WIDTH, HEIGHT)
    walkers = [
        (float(rng.uniform(0, WIDTH)), float(rng.uniform(0.6, 0.95) * HEIGHT), float(rng.uniform(-40, 40)))
        for _ in range(25)
    ]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    for index in range(int(seconds * FPS)):
        t = index / FPS
        frame = base.copy()
        for x, y, speed in walkers:
            px = (x + speed * t) % (WIDTH + 40) - 20
            scenes.person(frame, px, y, scenes.person_height(y, height=HEIGHT))
        car = min(300.0, -120 + (t % 40) * 60)
        cv2.rectangle(frame, (int(car), 230), (int(car) + 100, 280), (30, 30, 180), -1)
        if t % 40 > 10:
            cv2.rectangle(frame, (520, 300), (560, 330), (20, 60, 160), -1)
        writer.write(scenes.noisy(frame, rng))
    writer.release()


def measure(mode: str, clip: str, cameras: int) -> dict:
    """In this process: decode the clip once per camera, interleaved, analysing as `mode` says."""
    import cv2
    import numpy as np

    from bench.common import peak_rss_mb
    from cameras.video.analyser import AnalyserSettings, CameraAnalyser
    from cameras.video.crowd import Perspective
    from cameras.video.motion import MotionDetector, MotionSettings
    from cameras.zones import zones_of

    cv2.setNumThreads(1)
    zones = zones_of(
        [
            {"kind": "crowd", "name": "square", "points": [[0.0, 0.55], [0.7, 0.55], [0.7, 1.0], [0.0, 1.0]]},
            {"kind": "lane", "name": "road", "points": [[0.0, 0.6], [1.0, 0.6], [1.0, 0.8], [0.0, 0.8]]},
            {"kind": "dumping", "name": "corner", "points": [[0.75, 0.75], [1.0, 0.75], [1.0, 1.0], [0.75, 1.0]]},
        ]
    )
    settings = AnalyserSettings(
        fps=FPS,
        crowd=True,
        crowd_min_people=20,
        crowd_seconds=30,
        dumping=True,
        dumping_seconds=30,
        lanes=True,
        lane_stop_seconds=20,
        zones=tuple(zones),
        perspective=Perspective(top=0.1, bottom=0.3),
    )
    captures = [cv2.VideoCapture(clip, cv2.CAP_FFMPEG) for _ in range(cameras)]
    if mode == "motion":
        workers = [MotionDetector(frame_shape=(HEIGHT, WIDTH), settings=MotionSettings()) for _ in range(cameras)]
    elif mode == "pipeline":
        workers = [CameraAnalyser(frame_shape=(HEIGHT, WIDTH), settings=settings) for _ in range(cameras)]
    latencies = []
    frames = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    running = True
    while running:
        for index, capture in enumerate(captures):
            began = time.perf_counter()
            ok, frame = capture.read()
            if not ok:
                running = False
                break
            if mode == "motion":
                workers[index].detect(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
            elif mode == "pipeline":
                workers[index].analyse(frame, frames / cameras / FPS)
            latencies.append(time.perf_counter() - began)
            frames += 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    latencies_ms = np.array(latencies) * 1000
    return {
        "mode": mode,
        "cameras": cameras,
        "frames": frames,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "frames_per_cpu_second": round(frames / cpu, 1),
        "p50_ms": round(float(np.percentile(latencies_ms, 50)), 2),
        "p90_ms": round(float(np.percentile(latencies_ms, 90)), 2),
        "p99_ms": round(float(np.percentile(latencies_ms, 99)), 2),
        "peak_rss_mb": peak_rss_mb(os.getpid()),
    }


def run(mode: str, clip: str, cameras: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENCV_FOR_THREADS_NUM": "1", "SECRET_KEY": "bench"}
    out = subprocess.run(
        [sys.executable, __file__, "--measure", mode, "--clip", clip, "--cameras", str(cameras)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the rendered clip")
    parser.add_argument("--cameras", type=int, default=8, help="cameras analysed side by side in one process")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--clip", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure, options.clip, options.cameras)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        clip = str(Path(scratch) / "busy.mp4")
        render(Path(clip), options.seconds)
        results = {mode: run(mode, clip, options.cameras) for mode in ("decode", "motion", "pipeline")}
        one = run("pipeline", clip, 1)
    decode = results["decode"]["frames_per_cpu_second"]
    print(
        f"640x360 busy clip, {options.seconds:.0f} s at {FPS} frames/s, {options.cameras} cameras in one process, one core"
    )
    print(f"{'':10} {'frames/s/core':>14} {'vs decode':>10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'peak MB':>8}")
    for mode, result in results.items():
        ratio = result["frames_per_cpu_second"] / decode
        print(
            f"{mode:10} {result['frames_per_cpu_second']:>14.1f} {ratio:>10.2f} {result['p50_ms']:>8.2f} "
            f"{result['p90_ms']:>8.2f} {result['p99_ms']:>8.2f} {result['peak_rss_mb']:>8.1f}"
        )
    per_camera = (results["pipeline"]["peak_rss_mb"] - one["peak_rss_mb"]) / max(1, options.cameras - 1)
    print(f"peak memory per camera (pipeline): {per_camera:.1f} MB")
    print(
        f"cameras at {FPS} frames/s one core carries (whole pipeline): {results['pipeline']['frames_per_cpu_second'] / FPS:.0f}"
    )


if __name__ == "__main__":
    main()
