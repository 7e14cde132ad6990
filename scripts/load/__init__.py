"""End-to-end load, fault injection and the benchmark report (issue F). See README.md."""
