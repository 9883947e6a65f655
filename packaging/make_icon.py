"""Write the program's icon for the build: ``python packaging/make_icon.py OUT_DIR``.

Draws auditapp's icon with the app's own code (``auditapp/ui/widgets/app_icon.py``) at every
size and writes ``OUT_DIR/auditapp.ico`` (for the Windows executable, the installer and the
file association) and ``OUT_DIR/auditapp.png`` (256 pixels). The spec runs it; it needs no
display (Qt's offscreen platform).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QIODevice  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage  # noqa: E402

from auditapp.ui.widgets.app_icon import SIZES, render_icon  # noqa: E402


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs say bytes; str works
        raise RuntimeError("Qt could not encode the icon as PNG")
    return bytes(buffer.data().data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An .ico file holding one PNG-compressed image per size (Windows Vista and later
    read PNG entries at every size). Layout: ICONDIR, one ICONDIRENTRY per image, the data."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, data = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        data += png
        offset += len(png)
    return header + entries + data


def main(out_dir: Path) -> None:
    """Write auditapp.ico and auditapp.png into ``out_dir``."""
    app = QGuiApplication.instance() or QGuiApplication([])
    out_dir.mkdir(parents=True, exist_ok=True)
    images = {size: png_bytes(render_icon(size)) for size in SIZES}
    (out_dir / "auditapp.ico").write_bytes(ico_bytes(images))
    (out_dir / "auditapp.png").write_bytes(images[max(SIZES)])
    del app


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
