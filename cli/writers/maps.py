"""Self-contained Leaflet maps (territories, a rep's week, the report).

Leaflet 1.9.4 (BSD-2, cli/assets/) is inlined, so the page works offline and from an e-mail attachment;
OpenStreetMap tiles load underneath when the viewer is online. Every name reaches the page as JSON data
(sanitize.script_json) and is inserted with `textContent`, never as HTML — except a layer's name, which
Leaflet's layer control sets as HTML and which is therefore escaped first (sanitize.html_text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ..sanitize import html_text, script_json

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#9c9ede", "#e7ba52", "#d6616b", "#ce6dbd", "#6baed6", "#fd8d3c",
    "#74c476", "#9e9ac8", "#969696",
)  # fmt: skip


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    colour: str
    radius: float = 5.0
    popup: tuple[str, ...] = ()  # lines of plain text
    filled: bool = True


@dataclass(frozen=True)
class MapLine:
    coordinates: tuple[tuple[float, float], ...]
    colour: str
    weight: float = 3.0
    popup: tuple[str, ...] = ()
    dashed: bool = False


@dataclass
class MapLayer:
    name: str
    points: list[MapPoint] = field(default_factory=list)
    lines: list[MapLine] = field(default_factory=list)
    shown: bool = True


@cache
def _asset(name: str) -> str:
    return resources.files("salesplan.cli").joinpath("assets", name).read_text(encoding="utf-8")


def leaflet_head() -> str:
    """Leaflet's CSS and JS, inlined; include once per page."""
    return f"<style>{_asset('leaflet.css')}</style>\n<script>{_asset('leaflet.js')}</script>"


def _json(data: Any) -> str:
    return script_json(data)  # no name can close the script element


def map_fragment(
    element_id: str,
    layers: list[MapLayer],
    legend: list[tuple[str, str]] | None = None,
    height: str = "560px",
) -> str:
    """A map div and the script that draws it (Leaflet must be on the page: see :func:`leaflet_head`)."""
    data = {
        "layers": [
            {
                "name": html_text(layer.name),  # Leaflet's layer control shows names as HTML
                "shown": layer.shown,
                "points": [
                    [round(p.lat, 6), round(p.lon, 6), p.colour, p.radius, list(p.popup), p.filled]
                    for p in layer.points
                ],
                "lines": [
                    [
                        [[round(a, 6), round(b, 6)] for a, b in line.coordinates],
                        line.colour,
                        line.weight,
                        list(line.popup),
                        line.dashed,
                    ]
                    for line in layer.lines
                ],
            }
            for layer in layers
        ],
        "legend": legend or [],
    }
    return f"""<div id="{html_text(element_id)}" class="salesplan-map" style="height:{html_text(height)}"></div>
<script>
(function() {{
  var data = {_json(data)};
  var map = L.map({_json(element_id)}, {{preferCanvas: true}});
  L.tileLayer('https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png',
    {{maxZoom: 18, attribution: '&copy; OpenStreetMap contributors'}}).addTo(map);
  function popup(lines) {{
    var box = document.createElement('div');
    lines.forEach(function(text, i) {{
      var line = document.createElement(i === 0 ? 'b' : 'div');
      line.textContent = text; box.appendChild(line);
    }});
    return box;
  }}
  var bounds = [], overlays = {{}};
  data.layers.forEach(function(layer) {{
    var group = L.layerGroup();
    layer.lines.forEach(function(l) {{
      var line = L.polyline(l[0], {{color: l[1], weight: l[2], opacity: 0.8, dashArray: l[4] ? '6 6' : null}});
      if (l[3].length) line.bindPopup(popup(l[3]));
      line.addTo(group); l[0].forEach(function(c) {{ bounds.push(c); }});
    }});
    layer.points.forEach(function(p) {{
      var m = L.circleMarker([p[0], p[1]], {{radius: p[3], color: p[2], fillColor: p[2], weight: p[5] ? 1 : 2,
                                             fillOpacity: p[5] ? 0.75 : 0.1}});
      if (p[4].length) m.bindPopup(popup(p[4]));
      m.addTo(group); bounds.push([p[0], p[1]]);
    }});
    if (layer.shown) group.addTo(map);
    overlays[layer.name] = group;
  }});
  if (data.layers.length > 1) L.control.layers(null, overlays, {{collapsed: false}}).addTo(map);
  if (bounds.length) map.fitBounds(bounds, {{padding: [20, 20]}}); else map.setView([35, 110], 4);
  // what the page drew, for tests and for scripts that check a report
  window.salesplanMaps = window.salesplanMaps || [];
  window.salesplanMaps.push({{id: {_json(element_id)}, points: data.layers.reduce(function(n, l) {{ return n + l.points.length; }}, 0),
                             lines: data.layers.reduce(function(n, l) {{ return n + l.lines.length; }}, 0), drawn: bounds.length}});
  if (data.legend.length) {{
    var legend = L.control({{position: 'bottomright'}});
    legend.onAdd = function() {{
      var box = L.DomUtil.create('div', 'salesplan-legend');
      data.legend.forEach(function(item) {{
        var row = document.createElement('div'), swatch = document.createElement('span');
        swatch.style.cssText = 'display:inline-block;width:10px;height:10px;margin-right:6px;background:' + item[1];
        row.appendChild(swatch); row.appendChild(document.createTextNode(item[0])); box.appendChild(row);
      }});
      return box;
    }};
    legend.addTo(map);
  }}
}})();
</script>"""


def map_page(
    title: str, layers: list[MapLayer], legend: list[tuple[str, str]] | None = None, note: str = ""
) -> str:
    """A complete, self-contained HTML page with one full-window map."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html_text(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{leaflet_head()}
<style>
body {{ margin: 0; font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
header {{ padding: 8px 14px; background: #f5f5f5; border-bottom: 1px solid #ddd; }}
h1 {{ font-size: 18px; margin: 0; }} header p {{ margin: 4px 0 0; color: #555; font-size: 13px; }}
.salesplan-legend {{ background: white; padding: 6px 8px; font-size: 12px; max-height: 300px; overflow: auto;
                     border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.3); }}
</style></head>
<body><header><h1>{html_text(title)}</h1>{f"<p>{html_text(note)}</p>" if note else ""}</header>
{map_fragment("map", layers, legend, height="calc(100vh - 60px)")}
</body></html>
"""
