"""The edge every request and response crosses: where a `next` parameter may lead (`targets`)."""
