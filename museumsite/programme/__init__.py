"""A conference programme in other shapes: the schedule grid, iCalendar files, frab/c3voc exports."""
