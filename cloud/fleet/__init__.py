"""Fleet operations: node credentials and broker ACLs, commands to nodes, remote configs."""
