#1776573990
uptime
#1776574060
systemctl status app
#1776575010
free -m
#1776575082
df -h
#1776579301
systemctl status app
#1776579342
uptime
#1776584610
journalctl -u nginx --since today
#1776584704
free -m
#1776592762
df -h
#1776592813
free -m
#1776616680
free -m
#1776616740
tail -n 50 /var/log/syslog
#1776630270
tail -n 50 /var/log/syslog
#1776630389
free -m
#1776637348
systemctl status app
#1776637421
ls -la /srv
#1776661110
uptime
#1776661146
journalctl -u nginx --since today
#1776696817
free -m
#1776696933
uptime
#1776728803
ls -la /srv
#1776728860
tail -n 50 /var/log/syslog
#1776742442
systemctl status app
#1776742557
free -m
#1776754754
free -m
#1776754832
systemctl status app
#1776759681
journalctl -u nginx --since today
#1776759746
systemctl status app
#1776768340
systemctl status app
#1776768455
journalctl -u nginx --since today
#1776816148
journalctl -u nginx --since today
#1776816206
ls -la /srv
#1776843342
ls -la /srv
#1776843402
uptime
#1776845623
df -h
#1776845643
uptime
#1776850316
systemctl status app
#1776850381
journalctl -u nginx --since today
#1776863709
systemctl status app
#1776863743
ls -la /srv
#1776882457
tail -n 50 /var/log/syslog
#1776882470
ls -la /srv
#1776884619
free -m
#1776884664
journalctl -u nginx --since today
