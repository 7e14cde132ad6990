import os
import sys

# The load harness lives in scripts/load (a package named `load`).
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "scripts")))
