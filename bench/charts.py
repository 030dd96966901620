#!/usr/bin/python3
"""Draws one `bench/run.py` run's same-run comparison as PNG charts.

    bench/charts.py [bench/out/results.json] [--output bench/charts]

Writes, per run:
- cpu-per-query.png: server CPU per answered query, per server, load and size/layout;
- qps.png: queries per second, alike;
- latency-fixed-rate.png: latency percentiles at the fixed 20,000 QPS, per server and size;
- startup-memory.png: start to first answer and RSS after load, per server and size;
- reload.png: the distribution of rename() → new answer, per size (ClusterDNS only reads manifests),
  and the latency of queries at a fixed rate while the file keeps changing.

Uses Debian's matplotlib (python3-matplotlib; `make bench` installs it), so it runs under
/usr/bin/python3 whatever python3 comes first on PATH.
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# One colour per server, the same in every chart.
COLOURS = {"ClusterDNS": "#1f77b4", "ClusterDNS baseline": "#aec7e8", "NSD": "#2ca02c", "Knot": "#d62728"}


def servers_of(configurations):
    seen = []
    for configuration in configurations.values():
        for kind in configuration["startup"]:
            if kind not in seen:
                seen.append(kind)
    return seen


def grouped_bars(axis, groups, servers, value_of, ylabel, title):
    """One group of bars per entry of `groups`, one bar per server (missing values left out)."""
    width = 0.8 / max(1, len(servers))
    for index, server in enumerate(servers):
        xs, heights = [], []
        for position, group in enumerate(groups):
            value = value_of(group, server)
            if value is not None:
                xs.append(position + (index - (len(servers) - 1) / 2) * width)
                heights.append(value)
        axis.bar(xs, heights, width, label=server, color=COLOURS.get(server))
    axis.set_xticks(range(len(groups)))
    axis.set_xticklabels(groups, rotation=20, ha="right", fontsize=8)
    axis.set_ylabel(ylabel)
    axis.set_title(title, fontsize=10)
    axis.grid(axis="y", alpha=0.3)


def load_charts(data, servers, output, key, ylabel, filename, title):
    configurations = data["configurations"]
    labels = []
    for configuration in configurations.values():
        for label in configuration["loads"]:
            if label not in labels:
                labels.append(label)
    figure, axes = plt.subplots(1, len(labels), figsize=(4.2 * len(labels), 4), squeeze=False)
    for axis, label in zip(axes[0], labels):
        def value(group, server, label=label):
            return configurations[group]["loads"].get(label, {}).get(server, {}).get(key)
        grouped_bars(axis, list(configurations), servers, value, ylabel, label)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    path = os.path.join(output, filename)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def latency_chart(data, servers, output):
    configurations = data["configurations"]
    percentiles = ["p50", "p90", "p99", "p99.9"]
    figure, axes = plt.subplots(1, len(configurations), figsize=(4.2 * len(configurations), 4), squeeze=False)
    for axis, (group, configuration) in zip(axes[0], configurations.items()):
        def value(name, server, configuration=configuration):
            return configuration["fixed_rate"].get(server, {}).get(name)
        grouped_bars(axis, percentiles, servers, value, "latency (ms)", group)
    axes[0][0].legend(fontsize=8)
    figure.suptitle("Latency at a fixed 20,000 QPS (UDP mix), lower is better", fontsize=11)
    figure.tight_layout()
    path = os.path.join(output, "latency-fixed-rate.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def startup_memory_chart(data, servers, output):
    configurations = data["configurations"]
    groups = list(configurations)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), squeeze=False)

    def figure_of(key):
        return lambda group, server: configurations[group]["startup"].get(server, {}).get(key)

    grouped_bars(axes[0][0], groups, servers, figure_of("seconds"), "seconds", "Start to first answer")
    grouped_bars(axes[0][1], groups, servers, figure_of("rss_mib"), "MiB", "RSS after load")
    axes[0][0].set_yscale("log")
    axes[0][1].set_yscale("log")
    axes[0][0].legend(fontsize=8)
    figure.suptitle("Start-up and memory (ClusterDNS from YAML, NSD and Knot from zone files), lower is better",
                    fontsize=11)
    figure.tight_layout()
    path = os.path.join(output, "startup-memory.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def reload_chart(data, output):
    configurations = data["configurations"]
    series, names = [], []
    for group, configuration in configurations.items():
        for kind, samples in configuration["reload"].items():
            if samples:
                series.append(samples)
                names.append(f"{group}\n{kind}")
    figure, axes = plt.subplots(1, 2, figsize=(max(10, 2.6 * len(series)), 4), squeeze=False)
    axis = axes[0][0]
    if series:
        axis.boxplot(series, whis=(1, 99), showfliers=True)
        for position, samples in enumerate(series, start=1):
            axis.scatter([position] * len(samples), samples, s=6, alpha=0.4, color=COLOURS["ClusterDNS"])
        axis.set_xticks(range(1, len(names) + 1))
        axis.set_xticklabels(names, fontsize=7)
    axis.set_yscale("log")
    axis.set_ylabel("ms, rename() to the new answer")
    axis.set_title("Reload: rename() of one manifest to the new answer\n(box: quartiles, whiskers: p1 and p99)",
                   fontsize=10)
    axis.grid(axis="y", alpha=0.3)
    # What queries wait meanwhile: dnsperf at a fixed rate while the same file keeps changing.
    during = [(group, kind, figures) for group, configuration in configurations.items()
              for kind, figures in configuration.get("during_reloads", {}).items()]
    axis = axes[0][1]
    percentiles = ["p50", "p99", "p99.9", "max"]
    width = 0.8 / max(1, len(during))
    for index, (group, kind, figures) in enumerate(during):
        xs = [position + (index - (len(during) - 1) / 2) * width for position in range(len(percentiles))]
        axis.bar(xs, [figures.get(name, 0) for name in percentiles], width, label=f"{group} {kind}")
    axis.set_xticks(range(len(percentiles)))
    axis.set_xticklabels(percentiles)
    axis.set_yscale("log")
    axis.set_ylabel("query latency (ms)")
    axis.set_title("Queries at 20,000 QPS while one manifest keeps changing", fontsize=10)
    axis.grid(axis="y", alpha=0.3)
    if during:
        axis.legend(fontsize=7)
    figure.tight_layout()
    path = os.path.join(output, "reload.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", default=os.path.join(ROOT, "bench", "out", "results.json"))
    parser.add_argument("--output", default=os.path.join(ROOT, "bench", "charts"))
    args = parser.parse_args()
    with open(args.results) as handle:
        data = json.load(handle)
    os.makedirs(args.output, exist_ok=True)
    servers = servers_of(data["configurations"])
    written = [
        load_charts(data, servers, args.output, "cpu", "server CPU µs per answered query", "cpu-per-query.png",
                    "Server CPU per answered query, same run, lower is better"),
        load_charts(data, servers, args.output, "qps", "queries per second", "qps.png",
                    "Throughput (dnsperf -c 8 -q 100, server pinned to one core), higher is better"),
        latency_chart(data, servers, args.output),
        startup_memory_chart(data, servers, args.output),
        reload_chart(data, args.output),
    ]
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
