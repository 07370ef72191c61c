"""Writers: turn results into the files planners use (CSV, XLSX, iCalendar, HTML maps, charts)."""
