#1776567243
uptime
#1776567248
systemctl status app
#1776640100
tail -n 50 /var/log/syslog
#1776640152
uptime
#1776644433
journalctl -u nginx --since today
#1776644507
ls -la /srv
#1776655321
systemctl status app
#1776655371
df -h
#1776733996
uptime
#1776734108
tail -n 50 /var/log/syslog
#1776760781
ls -la /srv
#1776760838
free -m
#1776766903
tail -n 50 /var/log/syslog
#1776766971
systemctl status app
#1776768812
free -m
#1776768849
journalctl -u nginx --since today
#1776816066
free -m
#1776816085
systemctl status app
#1776816656
journalctl -u nginx --since today
#1776816727
systemctl status app
#1776827014
free -m
#1776827025
ls -la /srv
