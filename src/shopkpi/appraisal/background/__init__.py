"""Jobs on the queue in the application database and the worker that runs them."""
