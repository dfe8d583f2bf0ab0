#1776589976
df -h
#1776590048
ls -la /srv
#1776590819
df -h
#1776590862
tail -n 50 /var/log/syslog
#1776594213
uptime
#1776594239
ls -la /srv
#1776595320
systemctl status app
#1776595392
df -h
#1776611046
tail -n 50 /var/log/syslog
#1776611159
journalctl -u nginx --since today
#1776621711
ls -la /srv
#1776621795
df -h
#1776646430
uptime
#1776646465
tail -n 50 /var/log/syslog
#1776647597
uptime
#1776647671
ls -la /srv
#1776650391
df -h
#1776650464
uptime
#1776651322
uptime
#1776651332
systemctl status app
#1776651373
free -m
#1776651477
uptime
#1776702086
systemctl status app
#1776702150
df -h
#1776706292
ls -la /srv
#1776706318
df -h
#1776713220
ls -la /srv
#1776713315
df -h
#1776735640
tail -n 50 /var/log/syslog
#1776735685
ls -la /srv
#1776769155
ls -la /srv
#1776769271
systemctl status app
#1776783166
tail -n 50 /var/log/syslog
#1776783175
free -m
#1776798925
uptime
#1776799020
journalctl -u nginx --since today
#1776802496
uptime
#1776802519
df -h
#1776820720
uptime
#1776820756
systemctl status app
#1776825262
uptime
#1776825273
systemctl status app
#1776833888
systemctl status app
#1776833903
free -m
#1776839422
tail -n 50 /var/log/syslog
#1776839464
uptime
#1776888459
systemctl status app
#1776888576
ls -la /srv
#1776897393
df -h
#1776897459
tail -n 50 /var/log/syslog
#1776897526
systemctl status app
#1776897580
uptime
