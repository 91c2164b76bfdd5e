"""Conference schedules (frab XML, pretalx/c3voc JSON) into event, talk and speaker files."""
