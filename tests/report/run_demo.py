"""Run creatlas on the demo project (sample_data/) in a given language, into a
folder of its own: the fixture of the report tests.

The project file is sample_data/project.toml with its input paths made absolute
and `[project] language` set, written into the output folder, so the run never
writes into the source tree.

usage: run_demo.py --creatlas EXE --sample-data DIR --language en|ru --out DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creatlas", required=True)
    parser.add_argument("--sample-data", required=True)
    parser.add_argument("--language", required=True, choices=("en", "ru"))
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    with open(os.path.join(args.sample_data, "project.toml"), encoding="utf-8") as f:
        text = f.read()
    sample = os.path.abspath(args.sample_data)
    text = re.sub(r'^path = "', f'path = "{sample}/', text, flags=re.M)
    text = re.sub(r"^\[project\]\n", f'[project]\nlanguage = "{args.language}"\n', text,
                  count=1, flags=re.M)
    project = os.path.join(args.out, "project.toml")
    with open(project, "w", encoding="utf-8") as f:
        f.write(text)
    result = subprocess.run([args.creatlas, "run", project, "-o",
                             os.path.join(args.out, "atlas.gpkg"), "--overwrite", "--json"],
                            capture_output=True, text=True)
    with open(os.path.join(args.out, "run.json"), "w", encoding="utf-8") as f:
        f.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
