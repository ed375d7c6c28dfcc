//! Discord front end. Thin glue: events in, engine calls, rendered replies out.
