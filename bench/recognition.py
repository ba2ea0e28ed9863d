"""Plate recognition on the CPU, one core: recognition alone per plate crop, localisation and recognition
per vehicle image, and reads per second through the whole pipeline (the worker's vehicle tracking, the
reading of each track's crops, the vote) on a clip of passing cars; each with p50/p99 latency, its
accuracy on the rendered plates, and the process's peak memory. The baseline, in the same run: an exact
lookup of each plate in a dictionary of 1,000,000 plates (what reading must be compared with: the cost
of knowing a plate once it is text).

    .venv/bin/python bench/recognition.py [--crops 200] [--vehicles 100] [--cars 20]

OpenCV and ONNX Runtime are held to one thread. The aim (the recognition issue): a plate crop under 50 ms.
Faces join this bench with their slice of the issue."""

import argparse
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LETTERS = "ABCDEHKMOPTXY"


def plate_text(rng: random.Random) -> str:
    return f"{rng.randint(100, 999)}{''.join(rng.choice(LETTERS) for _ in range(3))}{rng.choice(['07', '07', '01', '02', '15'])}"


def written(text: str) -> str:
    return f"{text[:3]} {text[3:6]} {text[6:]}"


def percentiles(samples: list[float]) -> tuple[float, float]:
    import numpy as np

    values = np.array(samples) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--vehicles", type=int, default=100)
    parser.add_argument("--cars", type=int, default=20)
    options = parser.parse_args()

    import cv2
    import numpy as np

    from bench.common import peak_rss_mb
    from cameras.plates.ocr import PlateReader, _rec_sized
    from cameras.plates.voting import Reading, vote
    from cameras.video import scenes
    from cameras.video.analyser import AnalyserSettings, CameraAnalyser

    cv2.setNumThreads(1)
    rng = random.Random(7)
    started = time.process_time()
    reader = PlateReader(threads=1)
    reader.read_crop(_rec_sized(scenes.plate_image("123 ABC 07")))  # the first run compiles the graph
    load = time.process_time() - started

    # Recognition alone, per plate crop.
    crops = []
    for index in range(options.crops):
        text = plate_text(rng)
        plate = scenes.degrade(
            scenes.plate_image(written(text), width=rng.randint(120, 260)), noise=4, blur=3, seed=index
        )
        crops.append((text, plate))
    times, right = [], 0
    for text, plate in crops:
        began = time.process_time()
        raw, _conf, _score = reader.read_crop(plate)
        times.append(time.process_time() - began)
        right += "".join(ch for ch in raw.upper() if ch.isalnum()).endswith(text)
    crop_p50, crop_p99 = percentiles(times)
    crop_rate = len(times) / sum(times)

    # Localisation and recognition, per vehicle image (360x240).
    vehicles = []
    for index in range(options.vehicles):
        text = plate_text(rng)
        image = scenes.degrade(
            scenes.vehicle_with(scenes.plate_image(written(text)), seed=index), noise=6, blur=3, seed=index
        )
        vehicles.append((text, image))
    vtimes, vright = [], 0
    for text, image in vehicles:
        began = time.process_time()
        found = reader.read_vehicle(image)
        vtimes.append(time.process_time() - began)
        vright += bool(found) and found[0].text == text
    vehicle_p50, vehicle_p99 = percentiles(vtimes)

    # The whole pipeline on a clip of passing cars (640x360, 5 fps): track, read each track's crops, vote.
    width, height, fps = 640, 360, 5.0
    base = scenes.background(width, height).astype(np.uint8)
    analyser = CameraAnalyser(frame_shape=(height, width), settings=AnalyserSettings(fps=fps, plates=True))
    noise = np.random.default_rng(3)
    texts = [plate_text(rng) for _ in range(options.cars)]
    frames = reads = correct = 0
    ptimes: list[float] = []
    began_all = time.process_time()
    for car_index, text in enumerate(texts):
        car = cv2.resize(scenes.vehicle_with(scenes.plate_image(written(text)), seed=car_index), (240, 160))
        for step in range(int(7 * fps)):
            t = car_index * 7 + step / fps
            frame = base.copy()
            x = int(-240 + (step / fps - 0.5) * 220)
            if step / fps >= 0.5 and x < width:
                left, right_edge = max(0, x), min(width, x + 240)
                frame[170:330, left:right_edge] = car[:, left - x : right_edge - x]
            frame = scenes.noisy(frame, noise, sigma=2.0)
            began = time.process_time()
            for finding in analyser.analyse(frame, t):
                if finding.kind != "vehicle":
                    continue
                readings = []
                for index, data in enumerate(finding.crops):
                    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
                    readings += [Reading.of(f.text, f.confidences, frame=index) for f in reader.read_vehicle(image)[:1]]
                voted = vote(readings)
                if voted is not None:
                    reads += 1
                    correct += voted.text in texts
            ptimes.append(time.process_time() - began)
            frames += 1
    pipeline_cpu = time.process_time() - began_all

    # The baseline: an exact lookup in a dictionary of a million plates.
    book = {plate_text(rng): index for index in range(1_000_000)}
    probes = [plate_text(rng) for _ in range(200_000)]
    began = time.process_time()
    hits = sum(1 for probe in probes if probe in book)
    lookup = (time.process_time() - began) / len(probes)

    print(f"plate recognition, one core (model load {load:.2f} s CPU); peak memory {peak_rss_mb(os.getpid()):.0f} MB")
    print(f"{'':34} {'per second':>11} {'p50 ms':>8} {'p99 ms':>8} {'exact':>8}")
    print(
        f"{'recognition per plate crop':34} {crop_rate:>11.1f} {crop_p50:>8.2f} {crop_p99:>8.2f} {right / len(crops):>8.1%}"
    )
    print(
        f"{'localise + read per vehicle image':34} {len(vtimes) / sum(vtimes):>11.1f} {vehicle_p50:>8.2f} "
        f"{vehicle_p99:>8.2f} {vright / len(vehicles):>8.1%}"
    )
    frame_p50, frame_p99 = percentiles(ptimes)
    print(
        f"{'whole pipeline, reads':34} {reads / pipeline_cpu:>11.2f} {frame_p50:>8.2f} {frame_p99:>8.2f} "
        f"{correct / max(1, len(texts)):>8.1%}   ({reads} reads of {len(texts)} cars, {frames} frames, {frames / pipeline_cpu:.1f} frames/s)"
    )
    print(
        f"{'baseline: exact lookup in 1,000,000':34} {1 / lookup:>11.0f} {lookup * 1000:>8.5f} {'':>8} {'':>8}   ({hits} hits)"
    )
    print(f"a plate crop costs {crop_p50 / (lookup * 1000):,.0f} lookups (p50)")


if __name__ == "__main__":
    main()
