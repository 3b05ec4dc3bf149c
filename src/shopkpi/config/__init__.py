"""Django configuration: settings and URLs. Not a layer; it wires the layers together."""
