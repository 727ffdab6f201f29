"""Maps drawn on the server, with no tile server and no script: every map TapTrail shows.

`projection` places positions on a picture and back; `picker` draws the PNG map the portal picks
a position on; `circles` draws places as circles sized by a number (the dashboard's taps);
`sketch` draws a walk's stops joined in order (without a street map); `streets` draws the street
map of an imported OpenStreetMap extract with numbered markers and routes; `drawn` names such a
picture in a signed URL and keeps the drawings; `svg` holds what every SVG picture shares (the
colours, the titled frame, text).
"""
