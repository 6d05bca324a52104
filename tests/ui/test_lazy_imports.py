"""The window starts without the heavy libraries: they load when their feature is first used."""
import os
import subprocess
import sys


def test_the_main_window_module_leaves_charts_and_excel_writers_unloaded():
    code = ("import sys, taskboard.ui.main_window\n"
            "print(sorted(m for m in ('matplotlib', 'openpyxl', 'xlsxwriter') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_ledger_writer_brings_xlsxwriter():
    code = ("import sys, taskboard.excel.ledger_writer\n"
            "print('xlsxwriter' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "True"
