"""Your schedule (/study/schedule/): the retention you aim for, and FSRS's
parameters fitted to your own reviews by a background job."""
