"""Charts of the metric lake. ``metric_chart`` gathers what a chart shows (queries only);
``render`` draws it (matplotlib only), so each side is tested on its own."""
