"""API: the metric catalogue, the metric values of the aggregate store (long and wide shapes) and
SPC verdicts. Values are the same stored figures the dashboard pages show, limited to the caller's
analyst scope and passed through :mod:`dashboard.suppression`.

* :mod:`.definitions`: the metric catalogue;
* :mod:`.metric_values`: the stored values, long and wide;
* :mod:`.spc_verdicts`: SPC verdicts over the stored series;
* :mod:`.examples`: the documented examples (figures of the demo).
"""
