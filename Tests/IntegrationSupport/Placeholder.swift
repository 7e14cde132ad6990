// Placeholder: the sink helpers move here.
