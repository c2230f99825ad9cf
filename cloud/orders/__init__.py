"""Online orders: placed on the web, the mini-program or by phone; picked in store; collected
or delivered."""
